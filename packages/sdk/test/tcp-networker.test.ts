import { suite } from 'uvu'
import { Store } from '@dat-sdk/store'
import { networkerCompliance } from '@dat-sdk/test-utils'
import { TcpDirectory, TcpNetworker } from './helpers/tcp-networker.js'

const test = suite('NetworkerLike compliance: the test TCP networker')

const directory = new TcpDirectory()
networkerCompliance('tcp', test, {
  async create(t) {
    const store = t.add(Store.temp())
    await store.ready()
    const networker = new TcpNetworker(store, directory)
    return { networker, publicKey: networker.publicKey }
  },
})

test.run()
