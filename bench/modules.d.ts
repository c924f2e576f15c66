// The benchmarks import the raw Holepunch modules by path, from the node_modules of the package
// whose copy they measure against (so both sides run the same module instance). Those paths have
// no declarations of their own: these map them to the declarations the packages already ship
// (store's corestore and protomux, networker's hyperswarm, bee-wrapper's hyperbee, autobase's
// autobase) and to hyper-sdk's own, so the benchmarks are type-checked like the tests.
declare module '*/corestore/index.js' {
  import Corestore from 'corestore'
  export default Corestore
}
declare module '*/hyperswarm/index.js' {
  import Hyperswarm from 'hyperswarm'
  export default Hyperswarm
}
declare module '*/protomux/index.js' {
  import Protomux from 'protomux'
  export default Protomux
}
declare module '*/hyperbee/index.js' {
  import Hyperbee from 'hyperbee'
  export default Hyperbee
}
declare module '*/autobase/index.js' {
  import Autobase from 'autobase'
  export default Autobase
}
declare module '*/hyper-sdk/index.js' {
  export * from 'hyper-sdk'
}
