"""Accessibility of the widgets: a text alternative for every picture, an accessible name for
every control, for screen readers and keyboard users (WCAG 2.1 AA).

Three gaps of ipywidgets 8.1 are closed here:

* ``ipywidgets.Image`` has no ``alt``. Its ``tooltip`` would become the picture's ``title``
  (which screen readers read as its name), but the view reads the model's ``description``
  first, which ``Image`` lacks, and the picture then fails to render. :class:`Picture` syncs an
  empty ``description``, so ``picture.alt = "..."`` (the tooltip) becomes the ``title``.
* A text field without a description has no name (only an invisible placeholder):
  :func:`name_field` gives it a description that takes no room on screen.
* Slider handles (noUiSlider) get no name from the slider's description, and toggle buttons
  do not say which one is pressed. :func:`control_names` makes an invisible helper to place
  in a widget: it names each handle and its typed readout after the slider's label and sets
  ``aria-pressed`` on toggle buttons, in JupyterLab, Notebook 7 and Voila alike. It also
  keeps the notebook's keyboard shortcuts out of the widget, so that Enter, Space and the
  arrow keys operate its buttons, tabs, sliders and menus.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import traitlets


class Picture(widgets.Image):
    """An ``ipywidgets.Image`` with a text alternative, ``alt``, that a screen reader reads
    (and a mouse pointer shows as a tooltip). Set it with every new picture."""

    # See the module docstring: without it, a tooltip stops the picture from rendering.
    description = traitlets.Unicode("").tag(sync=True)

    @property
    def alt(self) -> str:
        return self.tooltip or ""

    @alt.setter
    def alt(self, text: str) -> None:
        self.tooltip = text

    def show(self, png: bytes, alt: str) -> None:
        """Show ``png`` with the text alternative ``alt`` (one message to the browser)."""
        from cnnviz.plotting.text_alternatives import shorten

        with self.hold_sync():
            self.value = png
            self.tooltip = shorten(alt)


def name_field(field, name: str):
    """Give a text field without a description the accessible name ``name``, taking no room
    on screen (a description of width 0); return the field."""
    field.description = name
    field.style.description_width = "0px"
    return field


# The helper's script: runs in the page, inside the cnnviz widget whose CSS class is `root`.
_ESM = """
function apply(root) {
  for (const slider of root.querySelectorAll('.widget-slider, .widget-hslider, .widget-vslider')) {
    const label = slider.querySelector('.widget-label');
    const name = label ? label.textContent.trim() : '';
    if (!name) continue;
    for (const handle of slider.querySelectorAll('[role="slider"]')) {
      if (handle.getAttribute('aria-label') !== name) handle.setAttribute('aria-label', name);
    }
    const readout = slider.querySelector('.widget-readout');
    const typed = name + ' (type a value, then Enter)';
    if (readout && readout.getAttribute('aria-label') !== typed) {
      readout.setAttribute('role', 'textbox');
      readout.setAttribute('aria-label', typed);
    }
  }
  for (const button of root.querySelectorAll('.widget-toggle-button')) {
    const pressed = button.classList.contains('mod-active') ? 'true' : 'false';
    if (button.getAttribute('aria-pressed') !== pressed) {
      button.setAttribute('aria-pressed', pressed);
    }
  }
}

// Keys pressed inside the widget operate the widget, not the notebook around it: without this,
// ArrowDown on a menu moves to the next cell and Enter on a button opens the cell's editor.
// The page's shortcuts listen on the document after the widget (JupyterLab and Notebook 7
// let key presses bubble), so stopping them here leaves the control's own handling intact.
// Shift+Enter (run the cell), Escape and every key with Ctrl, Alt or Cmd still reach them.
const OWN_KEYS = new Set([
  'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Enter', ' ', 'Home', 'End',
  'PageUp', 'PageDown', 'Backspace', 'Delete',
]);

function keepKeys(root) {
  if (root.dataset.cnnvizKeys) return;
  root.dataset.cnnvizKeys = 'own';
  root.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.shiftKey && event.key === 'Enter') return;
    if (OWN_KEYS.has(event.key) || event.key.length === 1) event.stopPropagation();
  });
}

export default {
  render({ model, el }) {
    el.style.display = 'none';
    let observer = null;
    let tries = 0;
    const start = () => {
      const root = el.closest('.' + model.get('root')) || el.parentElement;
      if (!root) {
        if (tries++ < 100) requestAnimationFrame(start);
        return;
      }
      keepKeys(root);
      apply(root);
      observer = new MutationObserver(() => apply(root));
      observer.observe(root, {
        subtree: true, childList: true, characterData: true,
        attributes: true, attributeFilter: ['class'],
      });
    };
    requestAnimationFrame(start);
    return () => observer && observer.disconnect();
  },
};
"""


def control_names(root_class: str):
    """An invisible widget to put inside the widget with CSS class ``root_class``: it names
    that widget's slider handles and readouts and marks its pressed toggle buttons."""
    helper = _control_names_class()(root=root_class)
    helper.layout.display = "none"
    return helper


@functools.cache
def _control_names_class():
    import anywidget  # only when a widget is built: importing cnnviz stays light

    class ControlNames(anywidget.AnyWidget):
        _esm = _ESM
        root = traitlets.Unicode("").tag(sync=True)

    return ControlNames
