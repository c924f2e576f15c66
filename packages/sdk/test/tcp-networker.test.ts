import { Store } from '@dat-sdk/store'
import { networkerCompliance } from '@dat-sdk/test-utils'
import { TcpDirectory, TcpNetworker } from './helpers/tcp-networker.js'

// The TCP networker written for these tests passes the same NetworkerLike suite as the default
// Networker (which runs it in @dat-sdk/networker's own tests).
const directory = new TcpDirectory()
const test = networkerCompliance({
  name: 'the test TCP networker',
  setup: (t) => new TcpNetworker(t.add(Store.temp()), directory),
  publicKey: (networker) => networker.publicKey,
})

test.run()
