/* spv/: the light node. Placeholder module until the SPV issues land. */
#ifndef KOBAN_SPV_SPV_H
#define KOBAN_SPV_SPV_H

/* The protocol version koban speaks. */
#define SPV_PROTOCOL_VERSION 70016

const char *spv_user_agent(void);

#endif
