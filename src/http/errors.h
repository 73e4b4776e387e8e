// The one place where errors become HTTP: status codes for core::ErrorCode, and the contract's
// error shape {"error": {"code", "message", …}} for API clients or an HTML error page for
// browsers (chosen by Accept). Never includes a stack trace or internal detail.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace http {

int status_for(core::ErrorCode code);

// Renders the HTML error page: status, the error, and a reference (the request id) for support.
using ErrorPageRenderer =
    std::function<std::string(int status, const core::Error& error, const std::string& request_id)>;

// JSON for API clients, HTML (through `page`, when set) for browsers.
Response error_response(const Request& request, const core::Error& error,
                        const ErrorPageRenderer& page = nullptr);
// Same with an explicit status (e.g. 404 for an unknown route, 405, 413).
Response error_response(const Request& request, int status, const core::Error& error,
                        const ErrorPageRenderer& page = nullptr);

// The JSON body alone.
std::string error_json(const core::Error& error);

}  // namespace http
