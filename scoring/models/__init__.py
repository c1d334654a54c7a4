"""Models of the rating year, one module per concept; each module lists its names in __all__."""

from .campaign import *  # noqa: F403
from .events import *  # noqa: F403
from .exports import *  # noqa: F403
from .publicity import *  # noqa: F403
from .rating import *  # noqa: F403
from .review import *  # noqa: F403
from .second_review import *  # noqa: F403
from .self_evaluation import *  # noqa: F403
from .survey import *  # noqa: F403
