import json
import loupe_not_installed_anywhere
from clean import add
from . import sibling
