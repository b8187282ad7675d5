"""bandit's B201 (flask debug) and B502-B504 (SSL/TLS versions), hits and near misses."""
import ssl
from flask import Flask
from OpenSSL import SSL
import pyOpenSSL

app = Flask(__name__)
ssl.wrap_socket(ssl_version=ssl.PROTOCOL_SSLv3)
ssl.wrap_socket(ssl_version=ssl.PROTOCOL_TLSv1_2)
ssl.wrap_socket()
ssl.wrap_socket(
    sock,
    ssl_version=ssl.PROTOCOL_TLSv1,
)
pyOpenSSL.SSL.Context(method=SSL.SSLv2_METHOD)
pyOpenSSL.SSL.Context(method=SSL.TLSv1_2_METHOD)
SSL.Context(method=SSL.TLSv1_1_METHOD)
herp_derp(ssl_version=ssl.PROTOCOL_SSLv2)
herp_derp(method="SSLv23_METHOD")
herp_derp(method=SSL.TLS_METHOD, ssl_version=PROTOCOL_SSLv2)
context = ssl.create_default_context()


def open_ssl_socket(version=SSL.SSLv2_METHOD):
    pass


def open_tls(version=ssl.PROTOCOL_TLS_CLIENT, *, other=ssl.PROTOCOL_SSLv3):
    pass


@decorated
def open_default(sock, version=PROTOCOL_TLSv1):
    pass


async def open_async(version=ssl.PROTOCOL_SSLv2):
    pass


app.run(debug=True)
app.run(debug=False)
app.run(
    host="127.0.0.1",
    debug=True,
)
app.start(debug=True)
