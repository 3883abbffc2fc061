def max_pool(image, size=2, stride=None): raise NotImplementedError
def avg_pool(image, size=2, stride=None): raise NotImplementedError
