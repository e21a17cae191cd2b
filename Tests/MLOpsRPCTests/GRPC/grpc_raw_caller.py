"""Python's grpcio as a generic gRPC caller, for the transport's tests: calls
any method with request bytes as given, and tells exactly what came back.

Reads one JSON command per line on stdin:
  {"path": "/svc/Method", "request": HEX, "identity": NAME, "timeout": SECONDS?,
   "metadata": [[KEY, VALUE], ...]?, "stream": BOOL?, "cancel_after": N?,
   "compression": BOOL?}
and writes one JSON line per command:
  {"code": NAME, "details": TEXT, "trailers": {...}, "responses": [HEX, ...], "seconds": S}
"""
import argparse
import json
import sys
import time

import grpc

parser = argparse.ArgumentParser()
parser.add_argument("--target", required=True)
parser.add_argument("--ca", required=True)
parser.add_argument("--identity", action="append", required=True, help="NAME=CERT,KEY")
args = parser.parse_args()


def read(path):
    with open(path, "rb") as file:
        return file.read()


channels = {}
for entry in args.identity:
    name, files = entry.split("=", 1)
    certificate, key = files.split(",")
    credentials = grpc.ssl_channel_credentials(read(args.ca), read(key), read(certificate))
    # Generous limits: what the server refuses must be the server's doing.
    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    channels[name] = grpc.secure_channel(args.target, credentials, options=options)

identity = lambda x: x  # noqa: E731


def call(command):
    channel = channels[command.get("identity", "admin")]
    request = bytes.fromhex(command.get("request", ""))
    options = dict(timeout=command.get("timeout"), metadata=[tuple(pair) for pair in command.get("metadata", [])])
    if command.get("compression"):
        options["compression"] = grpc.Compression.Gzip
    responses = []
    started = time.monotonic()
    try:
        if command.get("stream"):
            stream = channel.unary_stream(command["path"], request_serializer=identity, response_deserializer=identity)(request, **options)
            for response in stream:
                responses.append(response.hex())
                if len(responses) == command.get("cancel_after"):
                    stream.cancel()
            code, details, trailers = stream.code(), stream.details(), stream.trailing_metadata()
        else:
            response, result = channel.unary_unary(command["path"], request_serializer=identity, response_deserializer=identity).with_call(request, **options)
            responses.append(response.hex())
            code, details, trailers = result.code(), result.details(), result.trailing_metadata()
    except grpc.RpcError as error:
        code, details, trailers = error.code(), error.details(), error.trailing_metadata()
    return {
        "code": code.name,
        "details": details or "",
        "trailers": {key: value for key, value in (trailers or ())},
        "responses": responses,
        "seconds": time.monotonic() - started,
    }


for line in sys.stdin:
    print(json.dumps(call(json.loads(line))), flush=True)
