#ifndef AWS_REALTIME_CLIBXML2_SHIM_H
#define AWS_REALTIME_CLIBXML2_SHIM_H
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#endif
