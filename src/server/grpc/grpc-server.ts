import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { AllocationFeed } from '../../cluster/cache/allocation-feed.js';
import type { ClusterCache } from '../../cluster/cache/cluster-cache.js';
import type { Config } from '../../config/config-schema.js';
import type { Logger } from '../../telemetry/logger.js';
import type { TesseraMetrics } from '../../telemetry/metrics.js';
import type { ExtenderService } from '../extender-service.js';
import { clientNameInterceptor } from './client-name-interceptor.js';
import { file_tessera_v1_scheduler, SchedulerService } from './gen/tessera/v1/scheduler_pb.js';
import { GrpcStatusError } from './grpc-status-error.js';
import { schedulerService } from './scheduler-service.js';
import type { Watch } from './watch-allocations.js';

/** The health service name of tessera.v1.SchedulerService (SERVING once the cluster source has synced). */
export const SCHEDULER_SERVICE_NAME = SchedulerService.typeName;

/** What the gRPC server needs. */
export interface GrpcServerDeps {
  /** grpcHost, grpcPort (not null), maxBodyBytes and the TLS fields. */
  readonly config: Config;
  readonly service: ExtenderService;
  readonly cache: ClusterCache;
  readonly feed: AllocationFeed;
  /** The cluster source's kind (`sim`, `kube`). */
  readonly cluster: string;
  readonly metrics: TesseraMetrics;
  readonly log: Logger;
  /** The most candidate names one Filter or Prioritize may list (as over HTTP); default no limit. */
  readonly namesLimit?: () => number;
}

/** A listening gRPC server. */
export interface GrpcEndpoint {
  /** `host:port` with the bound port, as a gRPC client dials it (`127.0.0.1:50051`, `[::1]:50051`). */
  readonly address: string;
  readonly port: number;
  /** Reports NOT_SERVING, ends the watch streams, lets calls in flight finish for up to `graceMs`, then stops. */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves tessera.v1.SchedulerService (the gRPC adapter over the same ExtenderService as HTTP), grpc.health.v1.Health
 * (`""` SERVING while the process serves; `tessera.v1.SchedulerService` SERVING once the cluster is listed, as
 * /readyz) and server reflection (v1 and v1alpha) on config.grpcHost:config.grpcPort. With tlsCertFile/tlsKeyFile
 * it serves TLS; with tlsClientCaFile it requires a client certificate that CA signed (mutual TLS), and with
 * tlsClientAllowedNames one of its names must be listed. Messages larger than maxBodyBytes get RESOURCE_EXHAUSTED.
 */
export async function startGrpcServer(deps: GrpcServerDeps): Promise<GrpcEndpoint> {
  const { config, cache, log } = deps;
  if (config.grpcPort === null) throw new Error('startGrpcServer: config.grpcPort is not set');
  const allowed = config.tlsClientAllowedNames;
  const server = new Server({
    'grpc.max_receive_message_length': config.maxBodyBytes,
    // Channelz keeps per-call statistics for a channelz service Tessera does not serve: off, it is cheaper per call.
    'grpc.enable_channelz': 0,
    ...(allowed.length > 0 ? { interceptors: [clientNameInterceptor(allowed)] } : {}),
  });
  const watches = new Set<Watch>();
  const scheduler = schedulerService(deps, watches);
  server.addService(scheduler.definition, scheduler.implementation);
  const health = new HealthImplementation({ '': 'SERVING', [SCHEDULER_SERVICE_NAME]: cache.synced ? 'SERVING' : 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(reflectedPackages() as never).addToServer(server);

  const host = config.grpcHost.includes(':') ? `[${config.grpcHost}]` : config.grpcHost;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${config.grpcPort}`, serverCredentials(config), (err, bound) => (err === null ? resolve(bound) : reject(err)));
  });
  // Readiness as /readyz reports it; watchers of the health service see the change.
  const readiness = setInterval(() => {
    if (!cache.synced) return;
    health.setStatus(SCHEDULER_SERVICE_NAME, 'SERVING');
    clearInterval(readiness);
  }, 100);
  readiness.unref();
  const dialHost = config.grpcHost === '0.0.0.0' ? '127.0.0.1' : config.grpcHost === '::' ? '[::1]' : host;
  log.info('tessera gRPC listening', { port, tls: config.tlsCertFile !== null, mutualTls: config.tlsClientCaFile !== null });

  let closing: Promise<void> | null = null;
  return {
    address: `${dialHost}:${port}`,
    port,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(readiness);
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(SCHEDULER_SERVICE_NAME, 'NOT_SERVING');
        for (const watch of [...watches]) watch.stop(new GrpcStatusError(status.UNAVAILABLE, 'tessera is shutting down: watch again (from Inventory) once it serves'));
        // Health watches stay open until forced: give calls in flight the grace, then force.
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}

function serverCredentials(config: Config): ServerCredentials {
  if (config.tlsCertFile === null || config.tlsKeyFile === null) return ServerCredentials.createInsecure();
  const clientCa = config.tlsClientCaFile === null ? null : readFileSync(config.tlsClientCaFile);
  const pair = { cert_chain: readFileSync(config.tlsCertFile), private_key: readFileSync(config.tlsKeyFile) };
  return ServerCredentials.createSsl(clientCa, [pair], clientCa !== null);
}

/** What reflection describes: tessera/v1/scheduler.proto (from the generated code's embedded descriptor) and health. */
function reflectedPackages(): PackageDefinition {
  const set = create(FileDescriptorSetSchema, { file: [file_tessera_v1_scheduler.proto] });
  const scheduler = loadFileDescriptorSetFromBuffer(Buffer.from(toBinary(FileDescriptorSetSchema, set)));
  return { ...loadSync(healthProtoPath), ...scheduler };
}
