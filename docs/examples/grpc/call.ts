/**
 * A grpcurl-like call of Tessera's gRPC API with the generated client: the request is read from a file in the
 * proto3 JSON mapping, the answer is printed in it, and a failed call prints its status and error details.
 *
 *   npx tsx docs/examples/grpc/call.ts <host:port> <Method> <request.json>
 *   npx tsx docs/examples/grpc/call.ts 127.0.0.1:9090 Filter docs/examples/grpc/filter.json
 *
 * docs/service.md ("gRPC") shows these calls and their answers; test/server/grpc-docs-example.test.ts runs them.
 */
import { fromJsonString, toJsonString } from '@bufbuild/protobuf';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { SchedulerService } from '../../../src/server/grpc/gen/tessera/v1/scheduler_pb.js';
import { createGrpcClient, errorDetails } from '../../../src/server/grpc/grpc-client.js';

const [address, methodName, file] = process.argv.slice(2);
const method = SchedulerService.methods.find((m) => m.name === methodName);
if (address === undefined || method === undefined || method.methodKind !== 'unary' || file === undefined) {
  console.error(`usage: call.ts <host:port> <${SchedulerService.methods.filter((m) => m.methodKind === 'unary').map((m) => m.name).join('|')}> <request.json>`);
  process.exit(2);
}
const client = createGrpcClient(SchedulerService, address, credentials.createInsecure());
const call = client[method.localName as 'filter'] as unknown as (request: unknown) => Promise<never>;
try {
  const answer = await call(fromJsonString(method.input, readFileSync(file, 'utf8')));
  console.log(toJsonString(method.output, answer));
} catch (err) {
  const e = err as ServiceError;
  console.log(JSON.stringify({ code: status[e.code], message: e.details, ...errorDetails(e) }));
  process.exitCode = 1;
} finally {
  client.close();
}
