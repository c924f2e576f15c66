// A WebM rewritten so that a player can seek in it by HTTP range: MediaRecorder's WebM is a live
// stream (no duration, no cues, clusters of unknown size), so a player seeking in it reads from
// the start. `seekable()` keeps its header, tracks and frames, and writes them again (slowed down
// if asked) with a duration, one cluster per keyframe, Cues (the byte offset of each cluster) before the clusters,
// and `padding` bytes of EBML Void after each cluster, so that the clusters lie far apart and a
// seek to the middle must fetch the middle.

const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Void: 0xec,
} as const

/** Elements that may follow a cluster of unknown size at the segment's level: where it ends. */
const SEGMENT_CHILDREN = new Set<number>([
  ID.Cluster,
  ID.Cues,
  ID.Info,
  ID.Tracks,
  0x114d9b74, // SeekHead
  0x1254c367, // Tags
  0x1941a469, // Attachments
  0x1043a770, // Chapters
])

interface Element {
  id: number
  /** Where the data starts. */
  start: number
  /** Where the element ends (the data's end; for an unknown size, the end of its parent). */
  end: number
  unknown: boolean
}

function readVint(buf: Buffer, at: number, keepMarker: boolean): { value: number; length: number } {
  const first = buf[at]
  if (first === undefined || first === 0) throw new Error(`no EBML vint at ${at}`)
  let length = 1
  while (!(first & (0x80 >> (length - 1)))) length++
  let value = keepMarker ? first : first & (0xff >> length)
  for (let i = 1; i < length; i++) value = value * 256 + buf[at + i]
  return { value, length }
}

function readElement(buf: Buffer, at: number, parentEnd: number): Element {
  const id = readVint(buf, at, true)
  const size = readVint(buf, at + id.length, false)
  const start = at + id.length + size.length
  const unknown = size.value === 2 ** (7 * size.length) - 1
  return { id: id.value, start, end: unknown ? parentEnd : start + size.value, unknown }
}

function readUint(buf: Buffer, el: Element): number {
  let v = 0
  for (let i = el.start; i < el.end; i++) v = v * 256 + buf[i]
  return v
}

interface Frame {
  /** Absolute time, in timecode units. */
  time: number
  keyframe: boolean
  /** The SimpleBlock's data after its 4-byte header (track 1, relative time, flags). */
  track: Buffer
  flags: number
  payload: Buffer
}

/** The pieces of a MediaRecorder WebM: header bytes, Info's timecode scale, Tracks bytes, frames. */
function parse(buf: Buffer) {
  let at = 0
  const ebml = readElement(buf, at, buf.length)
  const header = buf.subarray(at, ebml.end)
  at = ebml.end
  const segment = readElement(buf, at, buf.length)
  if (segment.id !== ID.Segment) throw new Error('no Segment')
  let scale = 1_000_000
  let tracks: Buffer | null = null
  const frames: Frame[] = []
  at = segment.start
  while (at < segment.end) {
    const el = readElement(buf, at, segment.end)
    if (el.id === ID.Info) {
      for (let c = el.start; c < el.end;) {
        const child = readElement(buf, c, el.end)
        if (child.id === ID.TimecodeScale) scale = readUint(buf, child)
        c = child.end
      }
    } else if (el.id === ID.Tracks) {
      tracks = buf.subarray(at, el.end)
    } else if (el.id === ID.Cluster) {
      let clusterTime = 0
      let c = el.start
      while (c < el.end) {
        const id = readVint(buf, c, true).value
        if (el.unknown && SEGMENT_CHILDREN.has(id)) break
        const child = readElement(buf, c, el.end)
        if (child.id === ID.Timecode) clusterTime = readUint(buf, child)
        // A frame: a SimpleBlock (its flags say keyframe), or a BlockGroup whose Block is a
        // keyframe when no ReferenceBlock points back (Chromium writes these).
        let block: Element | null = null
        let keyframe = false
        if (child.id === ID.SimpleBlock) {
          block = child
          keyframe = (buf[child.start + readVint(buf, child.start, false).length + 2] & 0x80) !== 0
        } else if (child.id === ID.BlockGroup) {
          keyframe = true
          for (let g = child.start; g < child.end;) {
            const part = readElement(buf, g, child.end)
            if (part.id === ID.Block) block = part
            if (part.id === ID.ReferenceBlock) keyframe = false
            g = part.end
          }
        }
        if (block) {
          const track = readVint(buf, block.start, false)
          const head = block.start + track.length
          frames.push({
            time: clusterTime + buf.readInt16BE(head),
            keyframe,
            track: buf.subarray(block.start, head),
            // A SimpleBlock's flags: keyframe, and the Block's invisible and lacing bits.
            flags: (keyframe ? 0x80 : 0) | (buf[head + 2] & 0x0f),
            payload: buf.subarray(head + 3, block.end),
          })
        }
        c = child.end
      }
      at = c
      continue
    }
    at = el.end
  }
  if (!tracks) throw new Error('no Tracks')
  return { header, scale, tracks, frames }
}

function vintSize(n: number): Buffer {
  // 8-byte sizes everywhere: every size fits, and offsets can be computed before writing.
  const b = Buffer.alloc(8)
  b[0] = 0x01
  b.writeUIntBE(n, 2, 6)
  return b
}

function idBytes(id: number): Buffer {
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1
  const b = Buffer.alloc(length)
  b.writeUIntBE(id, 0, length)
  return b
}

function element(id: number, ...data: Buffer[]): Buffer {
  const body = Buffer.concat(data)
  return Buffer.concat([idBytes(id), vintSize(body.length), body])
}

function uint(id: number, value: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(value))
  return element(id, b)
}

function float(id: number, value: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(value)
  return element(id, b)
}

export interface SeekableWebm {
  bytes: Buffer
  /** The clusters that start with a keyframe (the cues): their time in seconds, their byte offset. */
  clusters: Array<{ seconds: number; offset: number }>
  duration: number
}

/**
 * `recorded` (a MediaRecorder WebM) rewritten to be seekable by range, clusters `padding` apart,
 * played `stretch` times slower (its frames' times multiplied: a 4 s recording can make a video
 * longer than what a player demuxes ahead, about 10 s for Chromium).
 */
export function seekable(recorded: Buffer, padding: number, stretch = 1): SeekableWebm {
  const parsed = parse(recorded)
  const { header, scale, tracks } = parsed
  const frames = parsed.frames.map((f) => ({ ...f, time: Math.round(f.time * stretch) }))
  if (!frames[0]?.keyframe) throw new Error('the recording does not start with a keyframe')
  const groups: Frame[][] = []
  for (const frame of frames) {
    const group = groups[groups.length - 1]
    // A new cluster at each keyframe, and where a block's time would not fit its 16-bit offset.
    if (!group || frame.keyframe || frame.time - group[0].time > 30_000) groups.push([frame])
    else group.push(frame)
  }
  const clusters = groups.map((group) => {
    const base = group[0].time
    const cued = group[0].keyframe
    const blocks = group.map((f) => {
      const head = Buffer.alloc(3)
      head.writeInt16BE(f.time - base)
      head[2] = f.flags
      return element(ID.SimpleBlock, f.track, head, f.payload)
    })
    const cluster = element(ID.Cluster, uint(ID.Timecode, base), ...blocks)
    // Void: ID, an 8-byte size, zeros. A demuxer skips it.
    const voidBody = Math.max(0, padding - 9)
    return {
      cued,
      time: base,
      bytes: Buffer.concat([cluster, idBytes(ID.Void), vintSize(voidBody)]),
      voidBody,
    }
  })
  const last = frames[frames.length - 1].time
  const duration = last + (frames.length > 1 ? (last - frames[0].time) / (frames.length - 1) : 40)
  const info = element(
    ID.Info,
    uint(ID.TimecodeScale, scale),
    float(ID.Duration, duration),
    element(0x4d80, Buffer.from('dat-sdk test')),
    element(0x5741, Buffer.from('dat-sdk test')),
  )
  // Cues first, their size known before the offsets are: every number in them is 8 bytes.
  const cuePoint = (time: number, position: number) =>
    element(
      ID.CuePoint,
      uint(ID.CueTime, time),
      element(ID.CueTrackPositions, uint(ID.CueTrack, 1), uint(ID.CueClusterPosition, position)),
    )
  const cued = clusters.filter((c) => c.cued).length
  const cuesSize = element(ID.Cues, ...Array.from({ length: cued }, () => cuePoint(0, 0))).length
  let position = info.length + tracks.length + cuesSize // offsets count from the segment's data
  const offsets: number[] = []
  for (const c of clusters) {
    offsets.push(position)
    position += c.bytes.length + c.voidBody
  }
  const cues = element(
    ID.Cues,
    ...clusters.flatMap((c, i) => (c.cued ? [cuePoint(c.time, offsets[i])] : [])),
  )
  const segmentBody = position
  const segmentHead = Buffer.concat([idBytes(ID.Segment), vintSize(segmentBody)])
  const dataStart = header.length + segmentHead.length
  const out = Buffer.alloc(dataStart + segmentBody)
  let at = 0
  for (const part of [header, segmentHead, info, tracks, cues]) {
    part.copy(out, at)
    at += part.length
  }
  for (const c of clusters) {
    c.bytes.copy(out, at)
    at += c.bytes.length + c.voidBody // the Void's zeros are already there
  }
  return {
    bytes: out,
    clusters: clusters.flatMap((c, i) =>
      c.cued ? [{ seconds: (c.time * scale) / 1e9, offset: dataStart + offsets[i] }] : [],
    ),
    duration: (duration * scale) / 1e9,
  }
}
