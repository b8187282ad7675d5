import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
completed = subprocess.run([sys.executable, os.path.join(here, "child_demo.py"), "7"])
print("child said", completed.returncode)
sys.exit(completed.returncode - 7)
