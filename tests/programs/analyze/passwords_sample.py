import smtplib

password = "hunter2"
config = {"db_password": "s3cret", "user": "me"}
settings = {}
settings["api_token"] = "abc123"


def login(user, passwd="changeme"):
    if passwd == "letmein":
        return smtplib.SMTP("mail").login(user, password=passwd), user
    return connect(user, token="t0ken")


def connect(user, token):
    return user, token
