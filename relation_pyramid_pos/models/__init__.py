from . import pos_order
from . import relation_pyramid_profile
