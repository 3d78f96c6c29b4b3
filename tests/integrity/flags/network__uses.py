"""socket, urllib and requests, imported plainly, from a package, and through importlib."""
FLAGS = ("network",)

import importlib
import socket  # flagged
from urllib.request import urlopen  # flagged

http_client = importlib.import_module("requests")  # flagged


class Mul(Mul):
    def backward(self, grad_out):
        socket.create_connection(("example.org", 80))  # flagged
        return grad_out * self.b, grad_out * self.a
