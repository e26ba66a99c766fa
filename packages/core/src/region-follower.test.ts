import { describe, expect, it } from 'vitest';
import { RegionFollower } from './region-follower.js';

const wrongRegion = (region: string) => ({
  name: 'AuthorizationHeaderMalformed',
  Code: 'AuthorizationHeaderMalformed',
  Region: region,
  $metadata: { httpStatusCode: 400 },
});
const bare400 = { name: 'Unknown', $metadata: { httpStatusCode: 400 } };
const notFound = { name: 'NotFound', $metadata: { httpStatusCode: 404 } };

function follower(probeAnswer: unknown = undefined) {
  const switches: string[] = [];
  let probes = 0;
  const f = new RegionFollower('us-east-1', {
    probe: async () => {
      probes++;
      return probeAnswer;
    },
    switchTo: (region, previous) => switches.push(`${previous} -> ${region}`),
  });
  return { f, switches, probes: () => probes };
}

describe('RegionFollower', () => {
  it('follows a refusal naming another region once, and not again for a request already signed there', async () => {
    const { f, switches } = follower();
    expect(await f.follow(wrongRegion('eu-west-3'), 'us-east-1', 'k')).toBe(true);
    expect(f.region).toBe('eu-west-3');
    // A request that was in flight on the old region meets the same refusal: repeated, no second switch.
    expect(await f.follow(wrongRegion('eu-west-3'), 'us-east-1', 'k')).toBe(true);
    // A refusal for a request signed for the named region is not a region problem.
    expect(await f.follow(wrongRegion('eu-west-3'), 'eu-west-3', 'k')).toBe(false);
    expect(switches).toEqual(['us-east-1 -> eu-west-3']);
  });

  it('does not follow answers that name no region', async () => {
    const { f, switches, probes } = follower();
    f.noteAnswer(undefined);
    expect(await f.follow(notFound, 'us-east-1', 'k')).toBe(false);
    expect(await f.follow(bare400, 'us-east-1', 'k')).toBe(false);
    expect(probes()).toBe(0);
    expect(switches).toEqual([]);
  });

  it('asks about a bare 400 with a probe only while no answer has confirmed the region', async () => {
    const { f, probes } = follower(wrongRegion('ap-south-1'));
    expect(await f.follow(bare400, 'us-east-1', 'k')).toBe(true);
    expect(f.region).toBe('ap-south-1');
    expect(probes()).toBe(1);
  });

  it('adopts a region the SDK followed by itself (a 301 with the header) after the call succeeds', () => {
    const { f, switches } = follower();
    f.noteAnswer({
      name: 'PermanentRedirect',
      $metadata: { httpStatusCode: 301 },
      $response: { headers: { 'x-amz-bucket-region': 'us-west-2' } },
    });
    f.noteAnswer(undefined);
    f.adoptHinted();
    expect(f.region).toBe('us-west-2');
    expect(switches).toEqual(['us-east-1 -> us-west-2']);
  });

  it('settles with one probe for concurrent callers, and none once an answer confirmed the region', async () => {
    const { f, probes } = follower(wrongRegion('eu-west-3'));
    expect(f.unsettled).toBe(true);
    await Promise.all([f.settle('a'), f.settle('b'), f.settle('c')]);
    expect(probes()).toBe(1);
    expect(f.region).toBe('eu-west-3');
    f.noteAnswer(notFound);
    expect(f.unsettled).toBe(false);
    await f.settle('d');
    expect(probes()).toBe(1);
  });
});
