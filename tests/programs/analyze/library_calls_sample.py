"""bandit's B507 (paramiko), B612 (logging.config.listen) and B614 (torch.load), hits and misses."""
import logging.config
import paramiko
import torch
from paramiko import client

ssh = client.SSHClient()
ssh.set_missing_host_key_policy(paramiko.client.AutoAddPolicy)
ssh.set_missing_host_key_policy(paramiko.client.RejectPolicy)
ssh.set_missing_host_key_policy(client.WarningPolicy())
ssh.set_missing_host_key_policy(AutoAddPolicy)
ssh.set_missing_host_key_policy(policy=paramiko.AutoAddPolicy)
logging.config.listen(9999)
logging.config.listen(9999, verify=lambda data: data)
model = torch.load("model.pt")
model = torch.load("model.pt", weights_only=True)
model = torch.load("model.pt", weights_only=False)
model = torch.serialization.load("model.pt", map_location="cpu")
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from Crypto.PublicKey import DSA as pycrypto_dsa
from Cryptodome.PublicKey import RSA as pycryptodome_rsa

dsa.generate_private_key(key_size=512, backend=None)
dsa.generate_private_key(1536, None)
dsa.generate_private_key(key_size=4096)
rsa.generate_private_key(public_exponent=65537, key_size=1024)
rsa.generate_private_key(65537, 2047)
rsa.generate_private_key(65537, "1024")
rsa.generate_private_key(65537)
ec.generate_private_key(curve=ec.SECT163K1)
ec.generate_private_key(ec.SECP192R1, None)
ec.generate_private_key(ec.SECP192R1(), None)
ec.generate_private_key(ec.SECP384R1)
pycrypto_dsa.generate(bits=1024)
pycryptodome_rsa.generate(2000)
pycryptodome_rsa.generate(size)
import tarfile
import markupsafe
from flask import Markup

archive = tarfile.open("a.tar")
archive.extractall(path="out")
archive.extractall(path="out", filter="data")
archive.extractall(path="out", filter="tar")
archive.extractall(members=safe_members(archive))
archive.extractall(members=archive.getmembers())
archive.extractall(members=chosen)
archive.extract("one")
markupsafe.Markup("<b>static</b>")
markupsafe.Markup(user_input)
Markup(f"<b>{user_input}</b>")
Markup()
