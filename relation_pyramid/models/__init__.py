from . import relation_configuration_list
from . import relation_service_preference
from . import relation_motive
from . import res_partner
