"""kill(-1, SIGKILL): signals every process it may signal. Only run under a PID namespace!"""
import os
import signal
import subprocess

helper = subprocess.Popen(["sleep", "30"])
os.kill(-1, signal.SIGKILL)
helper.wait()
print("still alive; helper ended by signal", -helper.returncode, flush=True)
