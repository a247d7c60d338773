#!/usr/bin/env python3
"""The token service of registry_lib.sh's token-mode registry (Docker's token auth spec).

GET /token?service=S&scope=T:NAME:ACTIONS[&scope=...] (and the OAuth2 POST form with
grant_type=password or refresh_token) answers {"token", "access_token", "expires_in",
"issued_at"}: a JWT signed RS256 with --key, whose x5c header carries --cert (the registry's
rootcertbundle), claims iss/sub/aud/exp/nbf/iat/jti and `access`, the requested actions that
the grant table allows the caller. The caller is `anonymous` without an Authorization header,
else the Basic user, checked against --users ("user:password" lines): a wrong password gets
401 {"details": "incorrect username or password"} as Docker Hub's auth server answers.

--grants is re-read at each request: lines "USER REPO-GLOB ACTIONS" (USER `*` anyone,
`anonymous` a caller without credentials; REPO-GLOB an fnmatch pattern on the repository name;
ACTIONS comma-separated or `*`; `-` grants nothing). Each request is logged to --log as
"account scope... -> granted..." (never a password). GET /health answers 200.
"""
import argparse
import base64
import fnmatch
import http.server
import json
import os
import secrets
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_users(path):
    users = {}
    for line in open(path):
        line = line.strip()
        if line:
            user, _, password = line.partition(":")
            users[user] = password
    return users


def load_grants(path):
    grants = []
    for line in open(path):
        parts = line.split()
        if len(parts) == 3 and not parts[0].startswith("#"):
            grants.append(parts)
    return grants


def parse_scope(scope):
    """repository:NAME:ACTIONS (NAME may hold ':' for registry:catalog:* and similar)."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return kind, name, [a for a in actions.split(",") if a]


def allowed(grants, account, name, actions):
    granted = set()
    for user, pattern, acts in grants:
        if user not in ("*", account):
            continue
        if not fnmatch.fnmatchcase(name, pattern):
            continue
        if acts == "*":
            granted.update(actions)
        elif acts != "-":
            granted.update(a for a in actions if a in acts.split(","))
    return [a for a in actions if a in granted]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    args = None

    def log_message(self, *_):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def caller(self, form_user=None, form_password=None):
        """The account name, or None for bad credentials."""
        users = load_users(self.args.users)
        header = self.headers.get("Authorization", "")
        if form_user is not None:
            user, password = form_user, form_password
        elif header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
        else:
            return "anonymous"
        return user if users.get(user) == password and user != "anonymous" else None

    def token(self, account, scopes, service, refresh=False):
        grants = load_grants(self.args.grants)
        access = []
        for scope in scopes:
            kind, name, actions = parse_scope(scope)
            granted = allowed(grants, account, name, actions)
            access.append({"type": kind, "name": name, "actions": granted})
        now = int(time.time())
        cert = x509.load_pem_x509_certificate(open(self.args.cert, "rb").read())
        header = {"typ": "JWT", "alg": "RS256",
                  "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]}
        claims = {"iss": self.args.issuer, "sub": "" if account == "anonymous" else account,
                  "aud": service or self.args.service, "exp": now + self.args.ttl,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(16), "access": access}
        key = serialization.load_pem_private_key(open(self.args.key, "rb").read(), None)
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        jwt = signing_input.decode() + "." + b64url(signature)
        with open(self.args.log, "a") as log:
            print(account, " ".join(scopes) or "-", "->",
                  " ".join(f"{a['type']}:{a['name']}:{','.join(a['actions'])}" for a in access) or "-",
                  file=log)
        body = {"token": jwt, "access_token": jwt, "expires_in": self.args.ttl,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if refresh:
            body["refresh_token"] = "refresh-" + account
        return body

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/health":
            return self.reply(200, {})
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        query = urllib.parse.parse_qs(url.query)
        account = self.caller()
        if account is None:
            with open(self.args.log, "a") as log:
                print("bad-credentials", " ".join(query.get("scope", [])) or "-", "-> 401", file=log)
            return self.reply(401, {"details": "incorrect username or password"})
        self.reply(200, self.token(account, query.get("scope", []), query.get("service", [""])[0],
                                   refresh=query.get("offline_token", [""])[0] == "true"))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        get = lambda k: form.get(k, [""])[0]
        if get("grant_type") == "refresh_token" and get("refresh_token").startswith("refresh-"):
            account = get("refresh_token")[len("refresh-"):]
        elif get("grant_type") == "password":
            account = self.caller(get("username"), get("password"))
        else:
            account = None
        if account is None:
            return self.reply(401, {"details": "incorrect username or password"})
        scopes = " ".join(form.get("scope", [])).split()
        self.reply(200, self.token(account, scopes, get("service"),
                                   refresh=get("access_type") == "offline"))


def main():
    p = argparse.ArgumentParser()
    for name in ("key", "cert", "users", "grants", "issuer", "service", "log"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ttl", type=int, default=300)
    Handler.args = p.parse_args()
    open(Handler.args.log, "a").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", Handler.args.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    os.umask(0o077)
    main()
