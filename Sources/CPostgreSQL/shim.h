#ifndef C_POSTGRESQL_SHIM_H
#define C_POSTGRESQL_SHIM_H
// libpq has no function-like macros we need: the header alone.
#include <libpq-fe.h>
#endif
