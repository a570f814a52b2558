/**
 * The Sparkplug B payload definition (Eclipse Sparkplug 3.0, namespace
 * spBv1.0), limited to the messages and fields the gateway reads and the
 * simulator writes. Field numbers are those of the specification, so payloads
 * of any compliant edge node decode; fields left out here (metadata,
 * properties, data sets, templates) are skipped by the decoder.
 */
export const SPARKPLUG_B_PROTO = `
syntax = "proto2";
package org.eclipse.tahu.protobuf;

message Payload {
  message Metric {
    optional string name = 1;
    optional uint64 alias = 2;
    optional uint64 timestamp = 3;
    optional uint32 datatype = 4;
    optional bool is_historical = 5;
    optional bool is_transient = 6;
    optional bool is_null = 7;
    oneof value {
      uint32 int_value = 10;
      uint64 long_value = 11;
      float float_value = 12;
      double double_value = 13;
      bool boolean_value = 14;
      string string_value = 15;
      bytes bytes_value = 16;
    }
  }
  optional uint64 timestamp = 1;
  repeated Metric metrics = 2;
  optional uint64 seq = 3;
  optional string uuid = 4;
  optional bytes body = 5;
}
`;
