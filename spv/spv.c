#include "spv/spv.h"

const char *spv_user_agent(void)
{
	return "/koban:" KOBAN_VERSION "/";
}
