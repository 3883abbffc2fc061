def conv_output_size(*a, **k): raise NotImplementedError
def conv_params(*a, **k): raise NotImplementedError
def pool_output_size(*a, **k): raise NotImplementedError
