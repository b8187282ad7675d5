import hashlib
import os
import pickle
import subprocess as sp
import xml.etree.ElementTree as ET
from random import random

import requests
import yaml


def handler(data, name, cmd):
    assert data
    exec(data)
    os.chmod(name, 0o777)
    host = "0.0.0.0"
    path = "/tmp/cache"
    try:
        pickle.loads(data)
    except Exception:
        pass
    for item in data:
        try:
            eval(item)
        except:
            continue
    requests.get("https://example.org")
    hashlib.md5(data)
    hashlib.new("sha1", usedforsecurity=False)
    yaml.load(data)
    sp.Popen(cmd, shell=True)
    sp.run(["ls", "-l"])
    os.system("ls")
    os.execv("/bin/ls", ["ls"])
    ET.fromstring(data)
    random()
    os.popen(cmd)  # nosec
    return host, path, __import__("telnetlib")
