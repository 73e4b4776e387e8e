// Amazon SQS (query, Version 2012-11-05, as Debian's clients speak it; signing name sqs,
// regional): ReceiveMessage and DeleteMessage, for Marketplace notifications delivered to a
// queue. Lists and maps are flattened, as in the query model ("AttributeName.1",
// <Message>…</Message><Message>…</Message>).
// Facade methods are safe for concurrent use and fail as AwsClient::call does (aws_client.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/codec.h"

namespace aws::sqs {

struct MessageAttributeValue {
  std::string string_value;
  std::string binary_value;  // bytes (base64 on the wire)
  std::string data_type;     // String, Number, Binary, or with a ".custom" suffix
};

struct Message {
  std::string message_id;
  std::string receipt_handle;  // what DeleteMessage needs
  std::string md5_of_body;
  std::string body;
  std::map<std::string, std::string> attributes;  // e.g. SentTimestamp, ApproximateReceiveCount
  std::string md5_of_message_attributes;
  std::map<std::string, MessageAttributeValue> message_attributes;
};

struct ReceiveMessageRequest {
  std::string queue_url;
  std::vector<std::string> attribute_names;  // e.g. "All"
  std::vector<std::string> message_attribute_names;
  std::optional<int> max_number_of_messages;  // 1..10
  std::optional<int> visibility_timeout;
  std::optional<int> wait_time_seconds;  // 0..20; the client's call timeout must be longer
  std::string receive_request_attempt_id;
};
struct ReceiveMessageResponse {
  std::vector<Message> messages;
};

struct DeleteMessageRequest {
  std::string queue_url;
  std::string receipt_handle;
};

struct ReceiveMessage {
  using Request = ReceiveMessageRequest;
  using Response = ReceiveMessageResponse;
  static constexpr Service kService = Service::kSqs;
  static constexpr std::string_view kName = "ReceiveMessage";
};
struct DeleteMessage {
  using Request = DeleteMessageRequest;
  using Response = Empty;
  static constexpr Service kService = Service::kSqs;
  static constexpr std::string_view kName = "DeleteMessage";
};

class SqsClient {
 public:
  explicit SqsClient(AwsClient client) : client_(std::move(client)) {}

  core::Result<ReceiveMessageResponse> receive_message(const ReceiveMessageRequest& r) const {
    return client_.call<ReceiveMessage>(r);
  }
  core::Status delete_message(const DeleteMessageRequest& r) const {
    auto result = client_.call<DeleteMessage>(r);
    if (!result) return std::move(result).error();
    return {};
  }

 private:
  AwsClient client_;
};

}  // namespace aws::sqs

namespace aws {
extern template struct Codec<sqs::ReceiveMessage>;
extern template struct Codec<sqs::DeleteMessage>;
}  // namespace aws
