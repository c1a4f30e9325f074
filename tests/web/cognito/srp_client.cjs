'use strict';
// Sign in with amazon-cognito-identity-js (USER_SRP_AUTH, the library's default flow) against
// any Cognito endpoint, as a browser or React Native app would.
//
// Input, one JSON object on stdin:
//   {endpoint, poolId, clientId, username, password, newPassword?}
// Output, one JSON object on stdout:
//   {tokens: {AccessToken, IdToken, RefreshToken}, username, challenges}  on success
//   {error: err.code, message, challenges}                                 on failure
//   {challenge: NAME, ...}                        on a challenge the input cannot answer
// `username` is the library's CognitoUser name after sign-in: the USER_ID_FOR_SRP it adopted.
// `challenges` lists the challenges answered on the way (NEW_PASSWORD_REQUIRED).
// The package is found through NODE_PATH (the test suite's install folder).

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');

function readStdin() {
	return new Promise((resolve, reject) => {
		const chunks = [];
		process.stdin.on('data', chunk => chunks.push(chunk));
		process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		process.stdin.on('error', reject);
	});
}

function finish(result) {
	process.stdout.write(JSON.stringify(result));
	process.exit(0);
}

function crash(err) {
	process.stderr.write(`${(err && err.stack) || err}\n`);
	process.exit(2);
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

function signIn(input) {
	const pool = new CognitoUserPool({
		UserPoolId: input.poolId,
		ClientId: input.clientId,
		endpoint: input.endpoint,
	});
	const user = new CognitoUser({ Username: input.username, Pool: pool });
	const details = new AuthenticationDetails({
		Username: input.username,
		Password: input.password,
	});
	const challenges = [];
	const unanswerable = name => parameters =>
		finish({ challenge: name, parameters, challenges });
	const callbacks = {
		onSuccess(session) {
			finish({
				tokens: {
					AccessToken: session.getAccessToken().getJwtToken(),
					IdToken: session.getIdToken().getJwtToken(),
					RefreshToken: session.getRefreshToken().getToken(),
				},
				username: user.getUsername(),
				challenges,
			});
		},
		onFailure(err) {
			finish({
				error: err.code || err.name,
				message: err.message,
				challenges,
			});
		},
		newPasswordRequired(userAttributes, requiredAttributes) {
			challenges.push({
				name: 'NEW_PASSWORD_REQUIRED',
				userAttributes,
				requiredAttributes,
			});
			if (!input.newPassword) {
				finish({ challenge: 'NEW_PASSWORD_REQUIRED', userAttributes, requiredAttributes, challenges });
				return;
			}
			user.completeNewPasswordChallenge(input.newPassword, {}, callbacks);
		},
		mfaRequired: (name, parameters) => unanswerable(name)(parameters),
		totpRequired: (name, parameters) => unanswerable(name)(parameters),
		selectMFAType: (name, parameters) => unanswerable(name)(parameters),
		mfaSetup: (name, parameters) => unanswerable(name)(parameters),
		customChallenge: unanswerable('CUSTOM_CHALLENGE'),
	};
	user.authenticateUser(details, callbacks);
}

readStdin()
	.then(text => signIn(JSON.parse(text)))
	.catch(crash);
