// The simulator's HTTP routes, private to src/sim: the AWS endpoint (every path not taken by the
// control API, the console or the certificate), the /_sim control API and the buyer console.
#pragma once

#include <memory>

#include "http/router.h"
#include "http/templates.h"
#include "sim/simulator.h"

namespace sim {

// AWS APIs on "/" and every other path (S3 buckets, SQS queue URLs, rest-json paths), all methods.
void add_aws_routes(http::Router& router, Simulator& simulator);
// /_sim/…: control API and the SNS signing certificate.
void add_control_routes(http::Router& router, Simulator& simulator);
// /console…: the buyer console. `templates` must outlive the router.
void add_console_routes(http::Router& router, Simulator& simulator,
                        const http::Templates& templates);
// The console's templates, compiled into the binary.
core::Result<std::unique_ptr<http::Templates>> load_console_templates();

}  // namespace sim
