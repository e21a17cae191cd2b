"""Decodes protobuf-c's bytes with Python's protobuf, for InteropTests.

Reads JSON lines {"type": "mlops.v1.X", "bytes": base64} on stdin and answers
each with {"bytes": base64 of Python's deterministic re-encoding,
"value": the message as Python sees it (json_format, proto field names),
"json" and "json_proto_names": json_format's text of it, with lowerCamelCase
and with proto field names}.
The schema comes from mlops.desc, written by scripts/generate-messages.sh.
"""
import base64
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], "rb").read())
pool = descriptor_pool.DescriptorPool()
for file in descriptor_set.file:
    pool.Add(file)

for line in sys.stdin:
    request = json.loads(line)
    message_class = message_factory.GetMessageClass(pool.FindMessageTypeByName(request["type"]))
    message = message_class.FromString(base64.b64decode(request["bytes"]))
    answer = {
        "bytes": base64.b64encode(message.SerializeToString(deterministic=True)).decode(),
        "value": json_format.MessageToDict(message, preserving_proto_field_name=True),
        "json": json_format.MessageToJson(message),
        "json_proto_names": json_format.MessageToJson(message, preserving_proto_field_name=True),
    }
    print(json.dumps(answer), flush=True)
