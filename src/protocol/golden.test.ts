// Golden wire bytes, derived by hand from shared/docs/forge-protocol.md section 2 (field numbers) and the
// protobuf encoding (tag = field << 3 | wire type; 0 varint, 1 fixed64, 2 length-delimited). They are not
// produced by the code under test, so a wrong field number or type in proto/ fails here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { PingRequestSchema, PingResponseSchema } from "./gen/ping/v1/messages_pb.js";
import {
  DeclareRequestSchema,
  FetchTaskRequestSchema,
  FetchTaskResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  Result,
  RunnerSchema,
  RunnerStatus,
  UpdateLogRequestSchema,
  UpdateLogResponseSchema,
  UpdateTaskRequestSchema,
  UpdateTaskResponseSchema,
} from "./gen/runner/v1/messages_pb.js";

/** Hex digits of a commented golden constant: everything after "//" on a line is dropped. */
function hex(golden: string): string {
  return golden
    .split("\n")
    .map((line) => line.replace(/\/\/.*$/, ""))
    .join("")
    .replace(/\s+/g, "");
}

function bytes(golden: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex(golden), "hex"));
}

function encodeHex<D extends DescMessage>(schema: D, init: MessageInitShape<D>): string {
  return Buffer.from(toBinary(schema, create(schema, init))).toString("hex");
}

// 2023-11-14T22:13:20Z = 1700000000 s = varint 80 e2 cf aa 06; +1 s = 81 e2 cf aa 06; +60 s = bc e2 cf aa 06.
const T0 = 1_700_000_000n;

const REGISTER_REQUEST = `
  0a 02 72 31                          // 1 name "r1"
  12 03 74 6f 6b                       // 2 token "tok"
  1a 01 78                             // 3 agent_labels ["x"] (deprecated)
  22 01 63                             // 4 custom_labels ["c"] (deprecated)
  2a 03 31 2e 30                       // 5 version "1.0"
  32 01 79                             // 6 labels ["y"]
  38 01                                // 7 ephemeral true
  42 0a 63 61 6e 63 65 6c 6c 69 6e 67  // 8 capabilities ["cancelling"]
`;

test("encodes a RegisterRequest with every field at Gitea's field numbers", () => {
  const got = encodeHex(RegisterRequestSchema, {
    name: "r1",
    token: "tok",
    agentLabels: ["x"],
    customLabels: ["c"],
    version: "1.0",
    labels: ["y"],
    ephemeral: true,
    capabilities: ["cancelling"],
  });
  assert.equal(got, hex(REGISTER_REQUEST));
});

const DECLARE_REQUEST = `
  0a 01 76  // 1 version "v"
  12 01 6c  // 2 labels ["l"]
  1a 01 63  // 3 capabilities ["c"]
`;

test("encodes a DeclareRequest", () => {
  assert.equal(
    encodeHex(DeclareRequestSchema, { version: "v", labels: ["l"], capabilities: ["c"] }),
    hex(DECLARE_REQUEST),
  );
});

const RUNNER = `
  08 ac 02  // 1 id 300 (varint)
  12 01 75  // 2 uuid "u"
  1a 01 74  // 3 token "t"
  22 01 6e  // 4 name "n"
  28 01     // 5 status RUNNER_STATUS_IDLE
  32 01 61  // 6 agent_labels ["a"] (deprecated)
  3a 01 63  // 7 custom_labels ["c"] (deprecated)
  42 01 76  // 8 version "v"
  4a 01 6c  // 9 labels ["l"]
  50 01     // 10 ephemeral true
`;

const RUNNER_INIT = {
  id: 300n,
  uuid: "u",
  token: "t",
  name: "n",
  status: RunnerStatus.IDLE,
  agentLabels: ["a"],
  customLabels: ["c"],
  version: "v",
  labels: ["l"],
  ephemeral: true,
};

test("encodes a Runner with every field", () => {
  assert.equal(encodeHex(RunnerSchema, RUNNER_INIT), hex(RUNNER));
});

const REGISTER_RESPONSE = `0a 1c ${RUNNER}`; // 1 runner, 28 bytes

test("encodes a RegisterResponse wrapping the Runner in field 1", () => {
  assert.equal(encodeHex(RegisterResponseSchema, { runner: RUNNER_INIT }), hex(REGISTER_RESPONSE));
});

test("decodes a RegisterResponse carrying a hand-made Runner", () => {
  const res = fromBinary(RegisterResponseSchema, bytes(REGISTER_RESPONSE));
  assert.deepEqual(res.runner, create(RunnerSchema, RUNNER_INIT));
});

const FETCH_TASK_REQUEST = `
  08 05  // 1 tasks_version 5
`;

test("encodes a FetchTaskRequest", () => {
  assert.equal(encodeHex(FetchTaskRequestSchema, { tasksVersion: 5n }), hex(FETCH_TASK_REQUEST));
});

const FETCH_TASK_RESPONSE = `
  0a 51                                    // 1 task, 81 bytes
    08 07                                  //   1 id 7
    12 04 6a 3a 20 31                      //   2 workflow_payload "j: 1"
    1a 22                                  //   3 context (Struct), 34 bytes
      0a 0b                                //     1 fields entry, 11 bytes
        0a 03 73 68 61                     //       key "sha"
        12 04 1a 02 61 62                  //       value Value{3 string_value "ab"}
      0a 13                                //     1 fields entry, 19 bytes
        0a 0d 72 65 66 5f 70 72 6f 74 65 63 74 65 64  // key "ref_protected"
        12 02 20 00                        //       value Value{4 bool_value false}
    22 06 0a 01 53 12 01 73                //   4 secrets {"S": "s"}
    32 13                                  //   6 needs entry, 19 bytes
      0a 05 62 75 69 6c 64                 //     key "build"
      12 0a                                //     value TaskNeed, 10 bytes
        0a 06 0a 01 6f 12 01 76            //       1 outputs {"o": "v"}
        10 01                              //       2 result RESULT_SUCCESS
    3a 06 0a 01 56 12 01 76                //   7 vars {"V": "v"}
  10 03                                    // 2 tasks_version 3
`;

test("encodes a FetchTaskResponse with a full Task", () => {
  const got = encodeHex(FetchTaskResponseSchema, {
    task: {
      id: 7n,
      workflowPayload: new TextEncoder().encode("j: 1"),
      context: { sha: "ab", ref_protected: false },
      secrets: { S: "s" },
      needs: { build: { outputs: { o: "v" }, result: Result.SUCCESS } },
      vars: { V: "v" },
    },
    tasksVersion: 3n,
  });
  assert.equal(got, hex(FETCH_TASK_RESPONSE));
});

test("decodes a hand-made FetchTaskResponse into a Task", () => {
  const res = fromBinary(FetchTaskResponseSchema, bytes(FETCH_TASK_RESPONSE));
  assert.equal(res.tasksVersion, 3n);
  const task = res.task;
  assert.ok(task);
  assert.equal(task.id, 7n);
  assert.equal(new TextDecoder().decode(task.workflowPayload), "j: 1");
  assert.deepEqual(task.context, { sha: "ab", ref_protected: false });
  assert.deepEqual(task.secrets, { S: "s" });
  assert.deepEqual(task.needs.build?.outputs, { o: "v" });
  assert.equal(task.needs.build?.result, Result.SUCCESS);
  assert.deepEqual(task.vars, { V: "v" });
});

test("decodes a FetchTaskResponse past a field this schema does not know", () => {
  // Forgejo 15 adds fields (additional_tasks) whose numbers are unknown; they must be skipped, not fatal.
  const res = fromBinary(
    FetchTaskResponseSchema,
    bytes(`
      0a 02 08 05  // 1 task {1 id 5}
      10 09        // 2 tasks_version 9
      1a 02 08 06  // 3 unknown length-delimited field
      20 01        // 4 unknown varint field
    `),
  );
  assert.equal(res.task?.id, 5n);
  assert.equal(res.tasksVersion, 9n);
});

test("decodes an empty FetchTaskResponse as no task and version 0", () => {
  const res = fromBinary(FetchTaskResponseSchema, new Uint8Array());
  assert.equal(res.task, undefined);
  assert.equal(res.tasksVersion, 0n);
});

const UPDATE_TASK_REQUEST = `
  0a 31                         // 1 state (TaskState), 49 bytes
    08 07                       //   1 id 7
    10 02                       //   2 result RESULT_FAILURE
    1a 06 08 80 e2 cf aa 06     //   3 started_at {1 seconds T0}
    22 09                       //   4 stopped_at, 9 bytes
      08 bc e2 cf aa 06         //     1 seconds T0+60
      10 f4 03                  //     2 nanos 500
    2a 18                       //   5 steps[0] (StepState), 24 bytes
      08 01                     //     1 id 1
      10 01                     //     2 result RESULT_SUCCESS
      1a 06 08 81 e2 cf aa 06   //     3 started_at {1 seconds T0+1}
      22 06 08 bc e2 cf aa 06   //     4 stopped_at {1 seconds T0+60}
      28 03                     //     5 log_index 3
      30 04                     //     6 log_length 4
  12 0a                         // 2 outputs entry, 10 bytes
    0a 03 6f 75 74              //   key "out"
    12 03 76 61 6c              //   value "val"
`;

test("encodes an UpdateTaskRequest with steps, timestamps and outputs", () => {
  const got = encodeHex(UpdateTaskRequestSchema, {
    state: {
      id: 7n,
      result: Result.FAILURE,
      startedAt: { seconds: T0 },
      stoppedAt: { seconds: T0 + 60n, nanos: 500 },
      steps: [
        {
          id: 1n,
          result: Result.SUCCESS,
          startedAt: { seconds: T0 + 1n },
          stoppedAt: { seconds: T0 + 60n },
          logIndex: 3n,
          logLength: 4n,
        },
      ],
    },
    outputs: { out: "val" },
  });
  assert.equal(got, hex(UPDATE_TASK_REQUEST));
});

test("decodes a hand-made UpdateTaskResponse", () => {
  const res = fromBinary(
    UpdateTaskResponseSchema,
    bytes(`
      0a 04 08 07 10 03  // 1 state {1 id 7, 2 result RESULT_CANCELLED}
      12 01 61           // 2 sent_outputs "a"
      12 01 62           // 2 sent_outputs "b"
    `),
  );
  assert.equal(res.state?.id, 7n);
  assert.equal(res.state?.result, Result.CANCELLED);
  assert.deepEqual(res.sentOutputs, ["a", "b"]);
});

const UPDATE_LOG_REQUEST = `
  08 07                         // 1 task_id 7
  10 0a                         // 2 index 10
  1a 0c                         // 3 rows[0] (LogRow), 12 bytes
    0a 06 08 80 e2 cf aa 06     //   1 time {1 seconds T0}
    12 02 68 69                 //   2 content "hi"
  1a 0b                         // 3 rows[1], 11 bytes; empty content is not written
    0a 09 08 81 e2 cf aa 06 10 f4 03  // 1 time {1 seconds T0+1, 2 nanos 500}
  20 01                         // 4 no_more true
`;

test("encodes an UpdateLogRequest with rows and no_more", () => {
  const got = encodeHex(UpdateLogRequestSchema, {
    taskId: 7n,
    index: 10n,
    rows: [
      { time: { seconds: T0 }, content: "hi" },
      { time: { seconds: T0 + 1n, nanos: 500 }, content: "" },
    ],
    noMore: true,
  });
  assert.equal(got, hex(UPDATE_LOG_REQUEST));
});

test("decodes a hand-made UpdateLogResponse", () => {
  const res = fromBinary(UpdateLogResponseSchema, bytes("08 ac 02 // 1 ack_index 300"));
  assert.equal(res.ackIndex, 300n);
});

test("encodes and decodes Ping messages", () => {
  assert.equal(encodeHex(PingRequestSchema, { data: "x" }), hex('0a 01 78 // 1 data "x"'));
  assert.equal(fromBinary(PingResponseSchema, bytes('0a 02 68 69 // 1 data "hi"')).data, "hi");
});
