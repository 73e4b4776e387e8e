// How the app's AWS adapters read AWS's refusals (provider_aws.cpp, organizations_aws.cpp).
#pragma once

#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "core/result.h"

namespace app {

// AWS's codes meaning "these keys are not valid" (rather than "not allowed" or "try later").
inline bool keys_refused(std::string_view code) {
  for (std::string_view refused :
       {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
        "IncompleteSignature", "ExpiredToken", "InvalidAccessKeyId"}) {
    if (code == refused) return true;
  }
  return false;
}

// What AWS answered, for people: "Code: message" (its message alone without a code), or the
// error's own message when it did not come from AWS.
inline std::string aws_error_text(const core::Error& error) {
  const auto aws = aws::aws_error_of(error);
  if (!aws) return error.message;
  return aws->code.empty() ? aws->message : aws->code + ": " + aws->message;
}

}  // namespace app
