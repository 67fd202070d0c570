#ifndef AWS_REALTIME_CLIBXML2_SHIM_H
#define AWS_REALTIME_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, so <libxml/encoding.h> includes ICU's <unicode/ucnv.h>. Swift's
// Foundation ships its own, different ICU headers, and clang refuses the two definitions of
// UErrorCode in one Swift module. We never touch libxml2's encoding handlers (the only structs
// whose layout the ICU members change, at their end, behind pointers), so hide ICU from the import.
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#endif
