import { Client, credentials, makeGenericClientConstructor, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SchedulerService } from '../../src/server/grpc/gen/tessera/v1/scheduler_pb.js';
import { createGrpcClient, errorDetails } from '../../src/server/grpc/grpc-client.js';

/** A typed tessera.v1.SchedulerService client (a real grpc-js channel). */
export function schedulerClient(address: string, creds: ChannelCredentials = credentials.createInsecure()) {
  return createGrpcClient(SchedulerService, address, creds);
}

/** The client `schedulerClient` makes. */
export type Scheduler = ReturnType<typeof schedulerClient>;

/** What a failed call carried: status code, message and the rich details. */
export interface CallFailure {
  readonly code: number;
  readonly details: string;
  readonly reason: string;
  readonly fieldViolations: readonly { readonly field: string; readonly description: string }[];
}

/** The failure of a call that must fail (throws when it succeeds). */
export async function failure(call: Promise<unknown>): Promise<CallFailure> {
  try {
    await call;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, details: e.details, ...errorDetails(e) };
  }
  throw new Error('the call was expected to fail but succeeded');
}

/** A unary call with raw request bytes (hostile input the generated client cannot produce). */
export function rawCall(address: string, method: string, request: Buffer): Promise<Buffer> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(`/tessera.v1.SchedulerService/${method}`, (b: Buffer) => b, (b: Buffer) => b, request, (err: ServiceError | null, answer?: Buffer) => {
      client.close();
      if (err !== null) reject(err);
      else resolve(answer as Buffer);
    });
  });
}

/** grpc.health.v1.Health Check of `service` ('' = the whole server): `SERVING`, `NOT_SERVING`, ... */
export function healthCheck(address: string, service: string, creds: ChannelCredentials = credentials.createInsecure()): Promise<string> {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const client = new Health(address, creds) as unknown as Client & { check(req: object, cb: (err: ServiceError | null, res?: { status: string }) => void): void };
  return new Promise((resolve, reject) => {
    client.check({ service }, (err, res) => {
      client.close();
      if (err !== null) reject(err);
      else resolve(String(res?.status));
    });
  });
}

/** A grpc.reflection.v1 ServerReflection exchange: one request, its answer (proto-loader's plain objects). */
export function reflect(address: string, request: Record<string, string>): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const definition = loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [root], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const ServerReflection = makeGenericClientConstructor(definition['grpc.reflection.v1.ServerReflection'] as never, 'ServerReflection');
  const client = new ServerReflection(address, credentials.createInsecure()) as unknown as Client & {
    serverReflectionInfo(): NodeJS.ReadWriteStream & { end(): void; write(m: object): boolean };
  };
  return new Promise((resolve, reject) => {
    const stream = client.serverReflectionInfo();
    stream.on('data', (m: Record<string, unknown>) => {
      resolve(m);
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}
