#include "aws/sqs.h"

#include "aws/codec_internal.h"

namespace aws::detail {

using namespace aws::sqs;

template <>
struct Shape<MessageAttributeValue> {
  static constexpr auto kFields =
      std::make_tuple(field("StringValue", &MessageAttributeValue::string_value),
                      field("BinaryValue", &MessageAttributeValue::binary_value, kBlob),
                      field("DataType", &MessageAttributeValue::data_type, kRequired));
};

template <>
struct Shape<Message> {
  static constexpr auto kFields = std::make_tuple(
      field("MessageId", &Message::message_id), field("ReceiptHandle", &Message::receipt_handle),
      field("MD5OfBody", &Message::md5_of_body), field("Body", &Message::body),
      field("Attribute", &Message::attributes, kFlattened, {}, "Name", "Value"),
      field("MD5OfMessageAttributes", &Message::md5_of_message_attributes),
      field("MessageAttribute", &Message::message_attributes, kFlattened, {}, "Name", "Value"));
};

template <>
struct Shape<ReceiveMessageRequest> {
  static constexpr auto kFields = std::make_tuple(
      field("QueueUrl", &ReceiveMessageRequest::queue_url, kRequired),
      field("AttributeNames", &ReceiveMessageRequest::attribute_names, kFlattened, "AttributeName"),
      field("MessageAttributeNames", &ReceiveMessageRequest::message_attribute_names, kFlattened,
            "MessageAttributeName"),
      field("MaxNumberOfMessages", &ReceiveMessageRequest::max_number_of_messages),
      field("VisibilityTimeout", &ReceiveMessageRequest::visibility_timeout),
      field("WaitTimeSeconds", &ReceiveMessageRequest::wait_time_seconds),
      field("ReceiveRequestAttemptId", &ReceiveMessageRequest::receive_request_attempt_id));
};

template <>
struct Shape<ReceiveMessageResponse> {
  static constexpr auto kFields =
      std::make_tuple(field("Messages", &ReceiveMessageResponse::messages, kFlattened, "Message"));
};

template <>
struct Shape<DeleteMessageRequest> {
  static constexpr auto kFields =
      std::make_tuple(field("QueueUrl", &DeleteMessageRequest::queue_url, kRequired),
                      field("ReceiptHandle", &DeleteMessageRequest::receipt_handle, kRequired));
};

}  // namespace aws::detail

namespace aws {
template struct Codec<sqs::ReceiveMessage>;
template struct Codec<sqs::DeleteMessage>;
}  // namespace aws
