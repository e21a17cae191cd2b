"""A stock gRPC client (grpcio, stubs generated from protos/ by grpcio-tools)
calling the registry over mutual TLS, as a user's Python service would.

Writes one JSON object per line: {"check": NAME, ...observations}. The Swift
test asserts on them. Between the watch's snapshot and its changes it prints
{"check": "watching"} and waits for a line on stdin: the test makes the
changes through our own framing meanwhile.
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time

import grpc
from grpc_tools import protoc

parser = argparse.ArgumentParser()
parser.add_argument("--target", required=True)
parser.add_argument("--protos", required=True)
parser.add_argument("--ca", required=True)
parser.add_argument("--identity", action="append", required=True, help="NAME=CERT,KEY")
parser.add_argument("--model", required=True)
args = parser.parse_args()


def generate_stubs(protos):
    out = tempfile.mkdtemp(prefix="mlops-grpc-stubs-")
    api = os.path.join(protos, "mlops")
    files = [os.path.join(root, name) for root, _, names in os.walk(api) for name in names if name.endswith(".proto")]
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    status = protoc.main(["protoc", f"-I{protos}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *files])
    if status != 0:
        raise SystemExit(f"grpc_tools.protoc failed: {status}")
    sys.path.insert(0, out)


generate_stubs(args.protos)
from mlops.v1 import registry_pb2 as registry, registry_pb2_grpc as registry_grpc  # noqa: E402
from mlops.v1 import values_pb2 as values  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc_reflection.v1alpha import reflection_pb2  # noqa: E402
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402


def read(path):
    with open(path, "rb") as file:
        return file.read()


def channel(identity):
    certificate, key = identities[identity]
    credentials = grpc.ssl_channel_credentials(read(args.ca), read(key), read(certificate))
    return grpc.secure_channel(args.target, credentials)


def report(check, **observations):
    print(json.dumps({"check": check, **observations}), flush=True)


def code_of(call):
    try:
        call()
    except grpc.RpcError as error:
        return error.code().name, error.details(), dict(error.trailing_metadata() or ())
    return "OK", "", {}


identities = {}
for entry in args.identity:
    name, files = entry.split("=", 1)
    identities[name] = files.split(",")

admin = registry_grpc.ModelRegistryStub(channel("admin"))
trainer = registry_grpc.ModelRegistryStub(channel("trainer"))
model = args.model
other = model + "-renamed"

# Every method's happy path, in an order where each has something to act on.
happy = {}
happy["CreateRegisteredModel"] = admin.CreateRegisteredModel(
    registry.CreateRegisteredModelRequest(name=model, description="from Python", tags={"team": "py"})
).registered_model.name
happy["GetRegisteredModel"] = admin.GetRegisteredModel(registry.GetRegisteredModelRequest(name=model)).registered_model.tags["team"]
happy["UpdateRegisteredModel"] = admin.UpdateRegisteredModel(
    registry.UpdateRegisteredModelRequest(name=model, description=values.StringValue(value="updated"))
).registered_model.description
happy["SetRegisteredModelTag"] = str(admin.SetRegisteredModelTag(registry.SetRegisteredModelTagRequest(name=model, key="k", value="v")) is not None)
happy["DeleteRegisteredModelTag"] = str(admin.DeleteRegisteredModelTag(registry.DeleteRegisteredModelTagRequest(name=model, key="k")) is not None)
happy["CreateModelVersion"] = admin.CreateModelVersion(
    registry.CreateModelVersionRequest(name=model, source="s3://models/1", f1_score=values.DoubleValue(value=0.9))
).model_version.version
admin.CreateModelVersion(registry.CreateModelVersionRequest(name=model, source="s3://models/2"))
happy["GetModelVersion"] = admin.GetModelVersion(registry.GetModelVersionRequest(name=model, version=1)).model_version.source
happy["UpdateModelVersion"] = admin.UpdateModelVersion(
    registry.UpdateModelVersionRequest(name=model, version=1, description=values.StringValue(value="first"))
).model_version.description
happy["SetModelVersionTag"] = str(admin.SetModelVersionTag(registry.SetModelVersionTagRequest(name=model, version=1, key="k", value="v")) is not None)
happy["DeleteModelVersionTag"] = str(admin.DeleteModelVersionTag(registry.DeleteModelVersionTagRequest(name=model, version=1, key="k")) is not None)
happy["TransitionModelVersionStage"] = admin.TransitionModelVersionStage(
    registry.TransitionModelVersionStageRequest(name=model, version=2, stage="Staging", comment="from Python")
).model_version.current_stage
happy["GetLatestVersions"] = [v.version for v in admin.GetLatestVersions(registry.GetLatestVersionsRequest(name=model, stages=["Staging"])).model_versions]
happy["SetRegisteredModelAlias"] = str(admin.SetRegisteredModelAlias(registry.SetRegisteredModelAliasRequest(name=model, alias="champion", version=1)) is not None)
happy["GetModelVersionByAlias"] = admin.GetModelVersionByAlias(registry.GetModelVersionByAliasRequest(name=model, alias="champion")).model_version.version
happy["DeleteRegisteredModelAlias"] = str(admin.DeleteRegisteredModelAlias(registry.DeleteRegisteredModelAliasRequest(name=model, alias="champion")) is not None)
happy["SearchRegisteredModels"] = [m.name for m in admin.SearchRegisteredModels(registry.SearchRegisteredModelsRequest(filter=f"name = '{model}'")).registered_models]
happy["SearchModelVersions"] = sorted(v.version for v in admin.SearchModelVersions(registry.SearchModelVersionsRequest(filter=f"name = '{model}'")).model_versions)
happy["ListTransitions"] = len(admin.ListTransitions(registry.ListTransitionsRequest(name=model)).transitions)
happy["DeleteModelVersion"] = str(admin.DeleteModelVersion(registry.DeleteModelVersionRequest(name=model, version=2)) is not None)
admin.CreateRegisteredModel(registry.CreateRegisteredModelRequest(name=other + "-tmp"))
happy["RenameRegisteredModel"] = admin.RenameRegisteredModel(registry.RenameRegisteredModelRequest(name=other + "-tmp", new_name=other)).registered_model.name
happy["DeleteRegisteredModel"] = str(admin.DeleteRegisteredModel(registry.DeleteRegisteredModelRequest(name=other)) is not None)
report("happy", results=happy)

# The main error codes, with metadata both ways: the request id sent comes back in the trailers.
errors = {}
errors["missing"] = code_of(lambda: admin.GetRegisteredModel(registry.GetRegisteredModelRequest(name=model + "-missing"), metadata=[("request-id", "py-missing-1")]))
errors["duplicate"] = code_of(lambda: admin.CreateRegisteredModel(registry.CreateRegisteredModelRequest(name=model)))
errors["invalid"] = code_of(lambda: admin.CreateRegisteredModel(registry.CreateRegisteredModelRequest(name="")))
errors["bad_stage"] = code_of(lambda: admin.TransitionModelVersionStage(registry.TransitionModelVersionStageRequest(name=model, version=1, stage="Shipped")))
errors["denied"] = code_of(lambda: trainer.TransitionModelVersionStage(registry.TransitionModelVersionStageRequest(name=model, version=1, stage="Production")))
errors["denied_alias"] = code_of(lambda: trainer.SetRegisteredModelAlias(registry.SetRegisteredModelAliasRequest(name=model, alias="champion", version=1)))
unknown = channel("admin").unary_unary("/mlops.v1.ModelRegistry/NoSuchMethod", request_serializer=lambda x: x, response_deserializer=lambda x: x)
errors["unknown_method"] = code_of(lambda: unknown(b""))
garbage = channel("admin").unary_unary("/mlops.v1.ModelRegistry/GetRegisteredModel", request_serializer=lambda x: x, response_deserializer=lambda x: x)
errors["garbage_request"] = code_of(lambda: garbage(b"\xff\xff\xff\xff"))
report("errors", results={key: {"code": code, "message": message, "trailers": trailers} for key, (code, message, trailers) in errors.items()})

# A deadline: a watch never ends by itself, so its deadline ends it.
started = time.monotonic()
deadline_code = code_of(lambda: list(admin.WatchModelVersions(registry.WatchModelVersionsRequest(name=model), timeout=0.5)))
report("deadline", code=deadline_code[0], seconds=time.monotonic() - started)

# Cancellation: the client cancels a stream it is reading.
stream = admin.WatchModelVersions(registry.WatchModelVersionsRequest(name=model))
first = next(stream)
stream.cancel()
cancelled = code_of(lambda: next(stream))
report("cancel", first_kind=registry.ModelVersionEventKind.Name(first.kind), code=cancelled[0])

# A server stream: the snapshot, then changes made through our framing, in order.
stream = admin.WatchModelVersions(registry.WatchModelVersionsRequest(name=model))
snapshot = []
for event in stream:
    if event.kind == registry.MODEL_VERSION_EVENT_KIND_SNAPSHOT_COMPLETE:
        break
    snapshot.append(event.model_version.version)
report("watching", snapshot=snapshot)
sys.stdin.readline()
changes = []
for event in stream:
    changes.append({"version": event.model_version.version, "to_stage": event.transition.to_stage, "kind": registry.ModelVersionEventKind.Name(event.kind)})
    if len(changes) == 3:
        break
stream.cancel()
report("changes", events=changes)

# Health, through the standard client: Check, and Watch's first answer.
health = health_pb2_grpc.HealthStub(channel("trainer"))
check = health.Check(health_pb2.HealthCheckRequest(service="mlops.v1.ModelRegistry"))
overall = health.Check(health_pb2.HealthCheckRequest(service=""))
unknown_service = code_of(lambda: health.Check(health_pb2.HealthCheckRequest(service="no.such.Service")))
watch = health.Watch(health_pb2.HealthCheckRequest(service="mlops.v1.ModelRegistry"))
watched = next(watch)
watch.cancel()
report(
    "health",
    service=health_pb2.HealthCheckResponse.ServingStatus.Name(check.status),
    overall=health_pb2.HealthCheckResponse.ServingStatus.Name(overall.status),
    unknown=unknown_service[0],
    watch=health_pb2.HealthCheckResponse.ServingStatus.Name(watched.status),
)

# Reflection, as a tool without the proto files uses it: grpcio-reflection's
# client (v1alpha, one request per stream) lists the services and builds the
# registry's descriptors, then a call is made from those descriptors alone.
database = ProtoReflectionDescriptorDatabase(channel("trainer"))
pool = descriptor_pool.DescriptorPool(database)
service = pool.FindServiceByName("mlops.v1.ModelRegistry")
request_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("mlops.v1.GetRegisteredModelRequest"))
response_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("mlops.v1.GetRegisteredModelResponse"))
reflected_get = channel("trainer").unary_unary(
    "/mlops.v1.ModelRegistry/GetRegisteredModel",
    request_serializer=lambda message: message.SerializeToString(),
    response_deserializer=response_class.FromString,
)
try:
    pool.FindServiceByName("mlops.v1.NoSuchService")
    missing_symbol = "found"
except KeyError:
    missing_symbol = "KeyError"
report(
    "reflection",
    services=sorted(database.get_services()),
    methods=[method.name for method in service.methods],
    watch_streams=service.methods_by_name["WatchModelVersions"].server_streaming,
    version_fields=[field.name for field in pool.FindMessageTypeByName("mlops.v1.ModelVersion").fields][:3],
    called=reflected_get(request_class(name=model)).registered_model.name,
    missing_symbol=missing_symbol,
)

# grpc.reflection.v1 the way grpcurl uses it: one stream kept open, each
# request sent after the previous answer arrived. v1's messages are v1alpha's.
answered = threading.Semaphore(0)
questions = [
    reflection_pb2.ServerReflectionRequest(list_services=""),
    reflection_pb2.ServerReflectionRequest(file_containing_symbol="mlops.v1.ModelRegistry.GetModelVersion"),
    reflection_pb2.ServerReflectionRequest(file_by_filename="no/such.proto"),
    reflection_pb2.ServerReflectionRequest(all_extension_numbers_of_type="mlops.v1.ModelVersion"),
]


def ask_one_at_a_time():
    for question in questions:
        yield question
        answered.acquire()


exchange = channel("trainer").stream_stream(
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    request_serializer=lambda message: message.SerializeToString(),
    response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
)
answers = []
for answer in exchange(ask_one_at_a_time(), timeout=20):
    kind = answer.WhichOneof("message_response")
    if kind == "list_services_response":
        answers.append(sorted(service.name for service in answer.list_services_response.service))
    elif kind == "file_descriptor_response":
        names = []
        for encoded in answer.file_descriptor_response.file_descriptor_proto:
            file = descriptor_pb2.FileDescriptorProto()
            file.ParseFromString(encoded)
            names.append(file.name)
        answers.append(names)
    elif kind == "error_response":
        answers.append(answer.error_response.error_code)
    else:
        answers.append(list(answer.all_extension_numbers_response.extension_number))
    answered.release()
report("reflection_v1", answers=answers)
report("done")
