/** The webhook list kept in SSM Parameter Store (a SecureString), so URLs never sit in the template. */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** The parameter's decrypted value; an Error that names the parameter (never its value) otherwise. */
export async function readSecureParameter(client: SSMClient, name: string): Promise<string> {
  try {
    const answer = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = answer.Parameter?.Value;
    if (value === undefined) throw new Error('it has no value');
    return value;
  } catch (err) {
    const e = err as Error;
    throw new Error(`cannot read SSM parameter ${name}: ${e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`, { cause: err });
  }
}
