// Every test runs on the Node the project declares: npm scripts put node_modules/.bin (Node 24) first.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  throw new Error(`tests need Node >= 24 (found ${process.version}); run them through npm (npm test)`);
}
