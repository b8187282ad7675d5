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
