#include "web/saas/saas_web_test_support.h"
