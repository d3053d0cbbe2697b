#!/usr/bin/env python3
"""Prints an OAuth access token for a running `reflect-memory serve --http`, obtained the way a
connector gets one: register (RFC 7591), sign in with a password, consent as a vendor, exchange
the code with PKCE. Standard library only; for benchmarks and manual checks.

  bench/oauth_token.py --base http://127.0.0.1:8765 --email you@example.com --password PW [--vendor claude]
"""
import argparse, base64, hashlib, http.cookiejar, json, re, secrets, urllib.error, urllib.parse, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--base", required=True)
parser.add_argument("--email", required=True)
parser.add_argument("--password", required=True)
parser.add_argument("--vendor", default="claude")
args = parser.parse_args()
base = args.base.rstrip("/")
callback = "http://127.0.0.1:9/callback"  # never reached: the redirect is read, not followed


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def send(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def form(values):
    return urllib.parse.urlencode(values).encode(), {"Content-Type": "application/x-www-form-urlencoded", "Origin": base}


def field(html, name):
    import html as h
    return h.unescape(re.search(f'name="{name}" value="([^"]*)"', html).group(1))


_, _, body = send(base + "/oauth/register", json.dumps({"client_name": "bench", "redirect_uris": [callback]}).encode(),
                  {"Content-Type": "application/json"})
client_id = json.loads(body)["client_id"]
verifier = secrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": callback,
                                "code_challenge": challenge, "code_challenge_method": "S256", "state": "s",
                                "resource": base + "/mcp", "scope": "mcp:read mcp:write"})
_, _, page = send(base + "/signin?" + urllib.parse.urlencode({"next": "/oauth/authorize?" + query}))
status, _, _ = send(base + "/signin", *form({"csrf": field(page, "csrf"), "next": field(page, "next"),
                                              "email": args.email, "password": args.password}))
assert status == 303, f"sign-in answered {status}"
_, _, consent = send(base + "/oauth/authorize?" + query)
status, headers, _ = send(base + "/oauth/authorize", *form({"csrf": field(consent, "csrf"), "request": field(consent, "request"),
                                                          "vendor": args.vendor, "write": "1", "decision": "allow"}))
code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
_, _, body = send(base + "/oauth/token", *form({"grant_type": "authorization_code", "code": code, "client_id": client_id,
                                                "redirect_uri": callback, "code_verifier": verifier}))
print(json.loads(body)["access_token"])
