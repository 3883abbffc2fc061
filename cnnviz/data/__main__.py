"""``python -m cnnviz.data``: pre-fill a folder for a class, or say where each dataset
would be loaded from."""

import sys

from cnnviz.data.loading import _main

sys.exit(_main())
