import os
import subprocess

os.system("tar czf backup.tgz *")
subprocess.Popen("chmod 600 *.key", shell=True)
subprocess.run(["rsync", "-a", "*", "dst"])
