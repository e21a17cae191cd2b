#ifndef MLOPS_DESCRIPTOR_INDEX_H
#define MLOPS_DESCRIPTOR_INDEX_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

// Every descriptor protoc-c generated, by proto file, for the Swift message
// generator to walk. descriptor_index.c is written by scripts/generate-messages.sh.
typedef struct {
    const char *path;
    const ProtobufCMessageDescriptor *const *messages;
    size_t n_messages;
    const ProtobufCEnumDescriptor *const *enums;
    size_t n_enums;
    const ProtobufCServiceDescriptor *const *services;
    size_t n_services;
    // "mlops.v1.Service/Method" of every server-streaming method.
    const char *const *streaming_methods;
    size_t n_streaming_methods;
} MLOpsProtoFile;

const MLOpsProtoFile *mlops_proto_files(size_t *count);

// The encoded google.protobuf.FileDescriptorSet of protos/mlops and the standard
// gRPC services served beside it, for server reflection. descriptor_set.c is
// written by scripts/generate-messages.sh.
const uint8_t *mlops_descriptor_set(size_t *size);

#endif
