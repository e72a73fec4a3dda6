/* Introspection options of the test plugin "rec" (see plugin_rec.c). */
#define REC_LEVEL 0x7e57
#define REC_OPT_DESCR 1
#define REC_OPT_ID 2
#define REC_OPT_LASTCALL 3
#define REC_OPT_SERIAL 4
