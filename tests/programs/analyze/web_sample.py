import jinja2
import requests
from jinja2 import Environment, select_autoescape
from mako.template import Template

requests.get("https://example.org", timeout=5, verify=False)
env_default = jinja2.Environment(loader=None)
env_off = Environment(autoescape=False)
env_var = Environment(autoescape=flag)
env_ok = Environment(autoescape=select_autoescape())
page = Template("hello ${name}")
