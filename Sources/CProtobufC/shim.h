#ifndef C_PROTOBUF_C_SHIM_H
#define C_PROTOBUF_C_SHIM_H
// protobuf-c needs no shim: generated `foo__init()` replaces `FOO__INIT`.
#include <protobuf-c/protobuf-c.h>
#endif
