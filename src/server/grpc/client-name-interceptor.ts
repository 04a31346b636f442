import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { clientCertificateNames, isClientAllowed } from '../client-certificate-names.js';

/**
 * Mutual TLS with `tlsClientAllowedNames`: refuses, with PERMISSION_DENIED, every call (health and reflection
 * included) whose client certificate has none of the allowed names. The TLS handshake has already checked that
 * the client CA signed it.
 */
export function clientNameInterceptor(allowed: readonly string[]): ServerInterceptor {
  return (_method, call) => new ServerInterceptingCall(call, {
    start: (next) => {
      next({
        onReceiveMetadata: (metadata, pass) => {
          const cert = call.getAuthContext().sslPeerCertificate;
          if (cert !== undefined && isClientAllowed(cert, allowed)) {
            pass(metadata);
            return;
          }
          const names = cert === undefined ? [] : clientCertificateNames(cert);
          // The message the HTTP side answers (403 TESSERA_FORBIDDEN) for the same client.
          call.sendStatus({ code: status.PERMISSION_DENIED, details: `client ${names.length === 0 ? 'without a verified certificate' : `certificate ${JSON.stringify(names)}`} is not in tlsClientAllowedNames` });
        },
      });
    },
  });
}
