// Keywords OpenSSH's ssh_config accepts (readconf.c, 9.x, with the distributions' GSSAPI ones).
// An unknown keyword makes ssh refuse the whole config unless IgnoreUnknown lists it.
export const SSH_KEYWORDS: ReadonlySet<string> = new Set([
  'host', 'match', 'include', 'ignoreunknown', 'tag',
  'addkeystoagent', 'addressfamily', 'batchmode', 'bindaddress', 'bindinterface',
  'canonicaldomains', 'canonicalizefallbacklocal', 'canonicalizehostname', 'canonicalizemaxdots',
  'canonicalizepermittedcnames', 'casignaturealgorithms', 'certificatefile', 'challengeresponseauthentication',
  'channeltimeout', 'checkhostip', 'ciphers', 'clearallforwardings', 'compression', 'connectionattempts',
  'connecttimeout', 'controlmaster', 'controlpath', 'controlpersist', 'dynamicforward',
  'enableescapecommandline', 'enablesshkeysign', 'escapechar', 'exitonforwardfailure', 'fingerprinthash',
  'forkafterauthentication', 'forwardagent', 'forwardx11', 'forwardx11timeout', 'forwardx11trusted',
  'gatewayports', 'globalknownhostsfile', 'gssapiauthentication', 'gssapiclientidentity',
  'gssapidelegatecredentials', 'gssapikexalgorithms', 'gssapikeyexchange', 'gssapirenewalforcesrekey',
  'gssapiserveridentity', 'gssapitrustdns', 'hashknownhosts', 'hostbasedacceptedalgorithms',
  'hostbasedauthentication', 'hostbasedkeytypes', 'hostkeyalgorithms', 'hostkeyalias', 'hostname',
  'identitiesonly', 'identityagent', 'identityfile', 'ipqos', 'kbdinteractiveauthentication',
  'kbdinteractivedevices', 'kexalgorithms', 'knownhostscommand', 'localcommand', 'localforward',
  'loglevel', 'logverbose', 'macs', 'nohostauthenticationforlocalhost', 'numberofpasswordprompts',
  'obscurekeystroketiming', 'passwordauthentication', 'permitlocalcommand', 'permitremoteopen',
  'pkcs11provider', 'port', 'preferredauthentications', 'proxycommand', 'proxyjump', 'proxyusefdpass',
  'pubkeyacceptedalgorithms', 'pubkeyacceptedkeytypes', 'pubkeyauthentication', 'refuseconnection',
  'rekeylimit', 'remotecommand', 'remoteforward', 'requesttty', 'requiredrsasize', 'revokedhostkeys',
  'securitykeyprovider', 'sendenv', 'serveralivecountmax', 'serveraliveinterval', 'sessiontype',
  'setenv', 'smartcarddevice', 'stdinnull', 'streamlocalbindmask', 'streamlocalbindunlink',
  'stricthostkeychecking', 'syslogfacility', 'tcpkeepalive', 'tunnel', 'tunneldevice', 'updatehostkeys',
  'user', 'userknownhostsfile', 'verifyhostkeydns', 'versionaddendum', 'visualhostkey', 'warnweakcrypto',
  'xauthlocation',
  // obsolete aliases and options ssh still accepts (some with a warning)
  'dsaauthentication', 'identityfile2', 'keepalive', 'skeyauthentication', 'tisauthentication',
  'protocol', 'cipher', 'fallbacktorsh', 'globalknownhostsfile2', 'rhostsauthentication',
  'userknownhostsfile2', 'useroaming', 'usersh', 'useprivilegedport', 'afstokenpassing',
  'kerberosauthentication', 'kerberostgtpassing', 'rsaauthentication', 'rhostsrsaauthentication',
  'compressionlevel', 'pubkeyauthoptions',
]);

/** Options that add a value each time they are given instead of keeping the first. */
export const ACCUMULATING_KEYWORDS: ReadonlySet<string> = new Set([
  'identityfile', 'certificatefile', 'localforward', 'remoteforward', 'dynamicforward', 'sendenv',
]);

/** Match criteria ssh knows; those after `all`, `canonical`, `final` take one argument. */
export const MATCH_CRITERIA_WITHOUT_ARG: ReadonlySet<string> = new Set(['all', 'canonical', 'final']);
export const MATCH_CRITERIA: ReadonlySet<string> = new Set([
  'all', 'canonical', 'final', 'exec', 'localnetwork', 'host', 'originalhost', 'tagged', 'user', 'localuser',
  'version', 'sessiontype', 'command',
]);
