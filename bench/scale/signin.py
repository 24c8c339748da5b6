#!/usr/bin/env python3
"""Signs bench people in through the real magic-link flow and prints one session cookie per line.

usage: signin.py BASE_URL PICKUP_DIR FIRST LAST [THREADS]

Cookies are handled by hand: the portal runs as in production, so its cookies are __Host- prefixed
and Secure, which cookie jars refuse to keep or send over plain http on loopback.
"""
import email
import email.utils
import glob
import http.client
import os
import re
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

BASE, PICKUP, FIRST, LAST = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
THREADS = int(sys.argv[5]) if len(sys.argv) > 5 else 8
HOST = urllib.parse.urlparse(BASE)
INPUT = re.compile(r'<input[^>]*name="__RequestVerificationToken"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def token_in(page, status):
    found = INPUT.search(page)
    if not found:
        raise RuntimeError(f"no antiforgery token in a {status} page: {page[:500]}")
    return VALUE.search(found.group(0)).group(1)


class Browser:
    def __init__(self):
        self.cookies = {}

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=60)
        # As behind nginx terminating TLS: the portal trusts 127.0.0.1 as its proxy.
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "X-Forwarded-Proto": "https"}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, text


def link_for(address, deadline):
    while time.time() < deadline:
        for path in glob.glob(os.path.join(PICKUP, "*.eml")):
            try:
                with open(path, "rb") as f:
                    message = email.message_from_binary_file(f)
            except FileNotFoundError:
                continue  # another thread took its own mail
            if email.utils.parseaddr(message.get("To") or "")[1] != address:
                continue
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    found = re.search(r"/en/login/confirm\?token=[A-Za-z0-9_-]+", part.get_payload(decode=True).decode())
                    if found:
                        os.remove(path)
                        return found.group(0)
        time.sleep(0.1)
    raise RuntimeError(f"no mail for {address}")


def sign_in(i):
    address = f"bench{i}@example.test"
    browser = Browser()
    status, page = browser.request("GET", "/en/login")
    status, _ = browser.request("POST", "/en/login", {"Input.Email": address, "__RequestVerificationToken": token_in(page, status)})
    assert status == 200, (address, status)
    link = link_for(address, time.time() + 60)
    status, page = browser.request("GET", link)
    token = link.split("token=", 1)[1]
    status, _ = browser.request("POST", link, {"Token": token, "__RequestVerificationToken": token_in(page, status)})
    assert status == 302, (address, status)
    name = next(k for k in browser.cookies if k.endswith("pp.auth"))
    return f"{name}={browser.cookies[name]}"


with ThreadPoolExecutor(THREADS) as pool:
    for cookie in pool.map(sign_in, range(FIRST, LAST + 1)):
        print(cookie)
