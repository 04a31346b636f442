import type { ExtenderArgsReader, ParsedExtenderArgs } from './extender-args-reader.js';

export type { NamesRead, ParsedExtenderArgs } from './extender-args-reader.js';

/**
 * Chooses, per body, how a filter/prioritize body is read: the byte fast path when it reads the body
 * (kube-scheduler's layout), else the plain JSON path. Both give the same arguments and the same errors.
 */
export class ExtenderArgsParser {
  constructor(private readonly fast: ExtenderArgsReader | null, private readonly plain: ExtenderArgsReader) {}

  /** The validated arguments of `body` (a 4xx RequestError names what is wrong). */
  parse(body: Buffer, verb: string): ParsedExtenderArgs {
    const read = this.fast?.read(body, verb) ?? this.plain.read(body, verb);
    if (read === null) throw new Error(`ExtenderArgsParser: the plain reader declined a ${verb} body`);
    return read;
  }
}
