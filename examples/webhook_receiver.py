"""A webhook receiver that checks signatures: WEBHOOK_SECRET=whsec_… python examples/webhook_receiver.py"""

import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = webhook.verify(body, dict(self.headers))  # checks webhook-signature and -timestamp
        except WebhookVerificationError:
            self.send_response(400)
        else:
            print(self.headers["webhook-id"], event["type"], event["data"], flush=True)
            self.send_response(204)  # dedupe on webhook-id: a delivery may come twice
        self.end_headers()


class Server(ThreadingHTTPServer):
    # A worker sends a batch of deliveries at once: with the default queue of 5 connections, the
    # kernel resets the ones beyond it and they come back only at their retry, 30 s later.
    request_queue_size = socket.SOMAXCONN


Server(("127.0.0.1", 9000), Receiver).serve_forever()
